"""The demo commune that `make run` loads (`python manage.py seed_demo`); see demo.commune."""
