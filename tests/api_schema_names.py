"""What a client generator makes names of in /api/schema/ (tests/test_api_schema.py and
tests/test_api_generated_client.py): these must be the same whatever the request's language.
"""

import json

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def machine_names(schema: dict) -> dict:
    """Paths, operation ids, parameter names, component names, enum names and values,
    property names and any `title` left in paths or components."""
    operations = {}
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations[f"{method} {path}"] = {
                "operationId": operation["operationId"],
                "parameters": sorted((p["in"], p["name"]) for p in operation.get("parameters", [])),
                "body": sorted(operation.get("requestBody", {}).get("content", {})),
                "responses": sorted(operation["responses"]),
            }
    components = schema["components"]["schemas"]
    return {
        "paths": sorted(schema["paths"]),
        "operations": operations,
        "components": sorted(components),
        "enums": {name: c["enum"] for name, c in components.items() if "enum" in c},
        "properties": {name: sorted(c.get("properties", {})) for name, c in components.items()},
        "titles": titles(schema["paths"]) + titles(components),
        "package title": schema["info"]["title"],
    }


def titles(node, *, in_properties: bool = False) -> list[str]:
    """Every `title` in a part of the schema (a field named title, a key of `properties`, is none)."""
    found = []
    if isinstance(node, dict):
        if not in_properties and isinstance(node.get("title"), str):
            found.append(node["title"])
        for key, value in node.items():
            found += titles(value, in_properties=key == "properties")
    elif isinstance(node, list):
        for item in node:
            found += titles(item)
    return found


def is_ascii(names: dict) -> bool:
    return json.dumps(names, ensure_ascii=False).isascii()
