"""The plan as JSON: every date and hour of the plan, with the stable keys a later run matches on."""

from __future__ import annotations

import json
from typing import Any

from exporter.context import RunContext
from exporter.plan import Plan
from exporter.theme import Theme
from exporter.view import PlanView
from exporter.writers import WriterOptions


def file_names(options: WriterOptions) -> tuple[str, ...]:
    """Always plan.json."""
    return ("plan.json",)


def render(plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
    """plan.json: the plan as indented UTF-8 JSON, ending with a line break."""
    text = json.dumps(plan_to_json(PlanView(plan, context.labels)), indent=2, ensure_ascii=False)
    return {"plan.json": (text + "\n").encode("utf-8")}


def plan_to_json(view: PlanView) -> dict[str, Any]:
    """The plan as JSON-ready data; milestone titles in the view's language. `busy` is there only for a
    plan made around busy calendars."""
    plan = view.plan
    data = {
        "pathway": {"id": plan.pathway.id, "title": plan.pathway.title, "language": plan.pathway.language or None},
        "participant": plan.participant,
        "language": plan.language,
        "week_start": plan.week_start,
        "timezone": plan.timezone,
        "start": plan.start.isoformat(),
        "finish": plan.finish.isoformat(),
        "hours_per_week": round(plan.hours_per_week, 2),
        "pace": round(plan.pace, 3),
        "total_hours": round(plan.total_hours, 2),
        "availability": plan.availability.spec(),
        "blackouts": [blackout.label() for blackout in plan.blackouts],
        "holidays": plan.holidays,
        "holidays_off": [{"date": h.date.isoformat(), "name": h.name} for h in plan.holidays_off],
        "finish_by": plan.finish_by.isoformat() if plan.finish_by else None,
        "window_change": str(plan.window_change) if plan.window_change else None,
        "phases": [
            {
                "number": p.number,
                "title": p.title,
                "start": p.start.isoformat(),
                "finish": p.finish.isoformat(),
                "hours": p.hours,
            }
            for p in plan.phases
        ],
        "tasks": [
            {
                "key": t.key,
                "id": t.id,
                "phase": t.phase,
                "title": t.title,
                "start": t.start.isoformat(),
                "finish": t.finish.isoformat(),
                "hours": t.hours,
            }
            for t in plan.tasks
        ],
        "sessions": [
            {
                "key": s.key,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "hours": s.hours,
                "tasks": [plan.task(key).id for key in s.task_keys],
                "task_keys": list(s.task_keys),
            }
            for s in plan.sessions
        ],
        "skills": [
            {
                "name": s.name,
                "priority": str(s.priority),
                "weeks": s.weeks,
                "target": s.target.isoformat() if s.target else None,
            }
            for s in plan.skills
        ],
        "actions": [{"horizon": str(a.horizon), "title": a.title, "due": a.due.isoformat()} for a in plan.actions],
        "milestones": [
            {"date": m.date.isoformat(), "kind": str(m.kind), "key": m.key, "title": view.milestone_title(m)}
            for m in plan.milestones
        ],
        "weeks": [{"start": w.start.isoformat(), "hours": w.hours} for w in plan.weeks],
    }
    if plan.busy is not None:
        data["busy"] = _busy(plan)
    return data


def _busy(plan: Plan) -> dict[str, Any]:
    """The busy calendars (URLs by host only), their rules, and the hours of windows they took by week."""
    busy = plan.busy
    rules = busy.rules
    return {
        "calendars": [source.label for source in rules.sources],
        "tentative": str(rules.tentative),
        "all_day": rules.all_day,
        "buffer_minutes": rules.buffer,
        "min_session_minutes": rules.min_session,
        "hours_taken": round(busy.hours_taken, 2),
        "weeks": [{"start": w.start.isoformat(), "hours": round(w.hours, 2)} for w in busy.weeks],
    }
