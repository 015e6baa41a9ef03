"""E-mail drafts: one `.eml` per participant, their files attached, for the facilitator to send.

Nothing is sent: a draft is a file any mail program opens (`X-Unsent: 1` makes Outlook open it
as a message to send). Addresses and names are data: an address is checked before any work, and
the message is built from header objects that refuse line breaks, so no text from a roster can
add a header. The same plan and files give the same bytes (the MIME boundary is a hash of them).
"""

from __future__ import annotations

import hashlib
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from exporter.errors import InputError, Kind, Origin
from exporter.labels import Labels
from exporter.plan import Plan

MAX_ADDRESS = 254
"""The longest address SMTP carries (RFC 5321's path limit less its angle brackets)."""
_POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF lines, folded only past RFC 5322's limit (the library's folding at 78 can put a whole Subject
on a continuation line, which readers then show with a leading space)."""
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TYPES = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".ics": ("text", "calendar"),
    ".pdf": ("application", "pdf"),
    ".json": ("application", "json"),
    ".txt": ("text", "plain"),
}


def check_address(text: str, origin: Origin) -> str:
    """`text` when it is one plain e-mail address (`ana@example.org`), else the setting's problem.

    Only the common form is taken: ASCII, one `@`, a dotted local part, a domain of at least two
    labels; no display name, no list, no spaces or line breaks.
    """
    local, at, domain = text.partition("@")
    labels = domain.split(".")
    if (
        len(text) > MAX_ADDRESS
        or not at
        or len(local) > 64
        or not _LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        shown = text if len(text) <= 60 and text.isprintable() else repr(text[:60])
        raise InputError(origin.problem(f"not an e-mail address: {shown} (write it as name@example.org)", Kind.VALUE))
    return text


def draft(planned: Plan, address: str, files: dict[str, bytes], labels: Labels, organisation: str = "") -> bytes:
    """A draft message to `address` with `files` (name -> content) attached, in the catalogue's words.

    The address must have passed `check_address`; a name or address holding a line break raises
    ValueError (the header classes refuse it) rather than add a header.
    """
    name = planned.participant or ""
    message = EmailMessage(policy=_POLICY)
    message["To"] = Address(display_name=name, addr_spec=address)
    message["Subject"] = labels("email.subject", title=planned.pathway.title)
    message["X-Unsent"] = "1"
    message.set_content(_body(planned, list(files), labels, organisation))
    for file_name, content in files.items():
        maintype, subtype = _TYPES.get(file_name[file_name.rfind(".") :], ("application", "octet-stream"))
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=file_name)
    digest = hashlib.sha256(address.encode())
    for file_name, content in files.items():
        digest.update(file_name.encode() + b"\0" + content)
    message.set_boundary(f"=_pathway-export_{digest.hexdigest()[:32]}")
    return message.as_bytes()


def _body(planned: Plan, attached: list[str], labels: Labels, organisation: str) -> str:
    greeting = labels("email.greeting", name=planned.participant) if planned.participant else labels("email.hello")
    facts = labels(
        "email.plan",
        title=planned.pathway.title,
        start=labels.long_date(planned.start),
        finish=labels.long_date(planned.finish),
        hours=planned.hours_per_week,
        zone=planned.timezone,
    )
    lines = [greeting, "", facts, "", labels("email.attached")]
    lines += [labels("email.file", name=name) for name in attached]
    lines += ["", labels("email.how"), "", labels("email.closing")]
    if organisation:
        lines.append(organisation)
    return "\n".join(lines) + "\n"
