"""The roster import: a commune's spreadsheet of residents, checked whole, then written in one go.

A roster is a CSV (UTF-8, with or without BOM) or XLSX file with one row per resident and a
header row naming the columns (COLUMNS: English or Vietnamese, in any order, case and
diacritics ignored). The import is all or nothing:

1. every row is read and checked in Python against the register's rules (the same rules
   as the model's validators and the database constraints, which stay the backstop), and
   every error is collected as `row N, column C: message`, N being the spreadsheet's row
   number (the header is row 1);
2. each row is matched with the register: a resident is the same resident when the
   household code, the full name (compared folded, so NFC, NFD and old- or new-style
   tone marks match) and the birth year match, or when the national ID matches;
3. only if no row has an error, everything is written in one transaction, and only the
   rows that change: re-importing a file writes nothing.

Choices of ours, documented for officials in docs/import-export.md:
- an empty cell keeps what the register holds (a spreadsheet made months ago must not
  erase what was recorded since); to clear a value, correct it in the register;
- `left_reason` (`ly_do_chuyen_di`) says why a resident left: moved_away or died
  (chuyển đi, chết); a leaving date without a reason means moved away;
- `smartphone_on` (`ngay_co_dien_thoai_thong_minh`) is accepted too, and a masked ID
  number (`********1234`) reads as an empty cell, so that an export of the register
  (villages.exports) imports back unchanged;
- dates are not in the future and not before 1900;
- `distance_km` (`khoang_cach_km`) is the household's one-way distance to the commune's
  one-stop office, in km with at most one decimal (7.5 or 7,5), 0 to 300; the rows of one
  household must not disagree on it (an empty cell agrees with anything);
- residents of the register missing from the file are left as they are;
- a row naming a stored resident (by ID number) in another household is their move there on
  the row's moved_in_on, which is then required; a row of someone who moved away with a
  later moved_in_on is their return; either closes their stay into an earlier one
  (villages.PastStay), as villages.services.resident_move does, and the preview counts them
  as moved; a household ends up with one head;
- dates that make sense (softbridge.calendar.date_refusal): ladder dates and departures not
  before the birth year, asked only of what a row changes;
- a cell that an export wrote with an apostrophe so that it cannot run as a formula
  ("'=Nguyen", softbridge.spreadsheets) reads without it, so such a name imports back unchanged.

The audit trail: simple-history records the saves of the ORM, which the bulk writes below
bypass. So every household and resident the import creates or changes gets its historical
row here, in the same transaction, with one INSERT ... SELECT of the rows just written per
table and kind ("+" created, "~" changed), the user who confirmed the import and the
reason "roster import".

Speed: 100,000 rows must import in seconds. Django's bulk_create builds one model
instance and compiles every value of every row (about 2 million parameters for a full
roster) and django-import-export works row by row, saving each instance: both are many
times slower than the database itself. So the rows are checked here, in plain Python, and
written as plain tuples: with PostgreSQL's COPY for new rows and UPDATE ... FROM (VALUES)
for changed rows (guarded by each row's version, like Versioned.save_unless_stale), and
with bulk_create / executemany on other databases. The values written are those that
Household.prepare() and Resident.prepare() would give (trimmed code, NFC name, folded
search name, the commune of the parent); tests/test_roster_import.py checks that.

The modules, in the order an import goes through them:
- columns: the roster's columns, their headers, and the import template;
- reading: the file, streamed row by row within its caps (rows, columns, line length, unpacked size,
  an XLSX's cells and shared strings counted before it is parsed);
- cells: what each cell may hold, and the value it gives;
- checking: the header and every row, checked cell by cell, collecting every error;
- matching: the register as it stands, and the register's resident each row is about;
- planning: what the file does to the register, decided before anything is written;
- writing: the plan written in bulk, with its audit trail;
- importing: roster_import, the service that runs the steps above, all or nothing;
- results: what an import reports (the errors, the counts, the preview).
"""
