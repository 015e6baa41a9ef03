"""The time stamped into outputs: SOURCE_DATE_EPOCH when set, so builds can be reproduced."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def generated_at() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)
