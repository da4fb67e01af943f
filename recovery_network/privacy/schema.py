"""The documentation of the export's format, made from the catalogue and the models' own field descriptions."""

from django.utils import translation

from .catalogue import SCHEMA, SCHEMA_VERSION, SECTIONS

TYPES = {
    "AutoField": "integer",
    "BigAutoField": "integer",
    "BigIntegerField": "integer",
    "BooleanField": "true or false",
    "CharField": "text",
    "DateField": "date (YYYY-MM-DD)",
    "DateTimeField": "date and time, UTC (ISO 8601)",
    "DecimalField": "decimal number (text)",
    "EmailField": "email address",
    "FloatField": "number",
    "ForeignKey": "id (integer)",
    "GenericIPAddressField": "IP address",
    "IntegerField": "integer",
    "JSONField": "JSON value",
    "OneToOneField": "id (integer)",
    "PositiveBigIntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "SlugField": "text",
    "SmallIntegerField": "integer",
    "TextField": "text",
    "TimeField": "time (HH:MM:SS)",
    "URLField": "web address",
    "UUIDField": "UUID (text)",
}


def _describe(field):
    kind = TYPES.get(field.get_internal_type(), field.get_internal_type())
    if field.many_to_many:
        kind = "list of ids"
    text = str(field.verbose_name)
    if field.help_text:
        text += f" — {field.help_text}"
    if field.choices:
        text += " (one of: " + ", ".join(f"`{value}`" for value, _ in field.flatchoices if value != "") + ")"
    if field.null:
        kind += ", may be null"
    return kind, text.replace("|", "/").replace("\n", " ")


def markdown():
    """The documentation, in English whatever language is active (titles and field names are marked for
    translation)."""
    with translation.override(None):
        return _markdown()


def _markdown():
    lines = [
        "# The export's format",
        "",
        "<!-- Written by `python manage.py export_schema > docs/EXPORT.md` from recovery_network/privacy/catalogue.py"
        " and the models; tests/privacy/test_export.py fails when it falls behind. -->",
        "",
        "Settings → Your data → Download everything, and `python manage.py export_person EMAIL --output FILE.zip`,",
        "give one zip file:",
        "",
        "- `recovery-network.json`: the document described below, UTF-8;",
        "- `csv/<section>.csv`: each section's rows, one file per section, with the same columns (lists of ids joined",
        "  with `;`, JSON values as JSON text);",
        "- `calendar.ics`: milestones and group meetings (RFC 5545), as the private calendar feed gives them;",
        "- `summary.html`: the same records as a page to read in any browser.",
        "",
        "The document is one JSON object:",
        "",
        f'- `schema`: always `"{SCHEMA}"`;',
        f"- `schema_version`: `{SCHEMA_VERSION}`; a change that removes or renames a field raises it;",
        "- `exported_at`: when the export was made (ISO 8601, UTC);",
        "- `time_zone`: the person's IANA time zone, in which their days (`local_date`, `started_on`…) are counted;",
        "- `data`: one list of rows per section below, each row an object with the listed fields. Ids link rows",
        "  within the export (a check-in's `helped_supporters` are ids in `supporters`); an id of a row that is not",
        "  in the export (another person's) stands for that row only.",
        "",
        "Secrets are never exported (passwords, two-factor secrets, link keys, the calendar feed's address).",
        "",
    ]
    for section in SECTIONS:
        lines += [f"## `{section.key}`: {section.title}", "", str(section.about), ""]
        lines += ["| field | type | meaning |", "| --- | --- | --- |"]
        for field in section.fields():
            kind, text = _describe(field)
            lines.append(f"| `{field.attname}` | {kind} | {text} |")
        for field in section.many_to_many():
            kind, text = _describe(field)
            lines.append(f"| `{field.name}` | {kind} | {text} |")
        lines.append("")
    return "\n".join(lines)
