"""The printable action plan: a handout laid out against the person's own dates.

Pathway and roster text is data: it is escaped for ReportLab's paragraph markup exactly once,
in `para`, and nowhere else. Every string is drawn in the embedded DejaVu Sans (or the theme's
TrueType font), so names in Latin with diacritics, Greek and Cyrillic print as real glyphs.
"""

from __future__ import annotations

import io
import operator
from datetime import date, timedelta
from functools import cache, reduce
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from exporter import __version__
from exporter.availability import WEEKDAY_NAMES, clock
from exporter.clock import generated_at
from exporter.model import HORIZON_TITLES, HORIZONS
from exporter.plan import Plan
from exporter.theme import Theme
from exporter.writers.common import safe_url

FONT, FONT_BOLD = "PathwaySans", "PathwaySans-Bold"
TICK_BOX = "☐"
MARGIN = 18 * mm  # inside the unprintable edge of every office printer
PAPER = {"letter": LETTER, "a4": A4}


@cache
def register_fonts(regular: str = "", bold: str = "") -> tuple[str, str]:
    """Register the body font family once per process; the shipped DejaVu Sans unless a theme names one."""
    fonts = resources.files("exporter.fonts")
    regular_path = regular or str(fonts / "DejaVuSans.ttf")
    bold_path = bold or (regular if regular else str(fonts / "DejaVuSans-Bold.ttf"))
    italic_path = regular if regular else str(fonts / "DejaVuSans-Oblique.ttf")
    suffix = "" if not regular else f"-{abs(hash((regular, bold))) % 10**8}"
    names = (FONT + suffix, FONT_BOLD + suffix, f"{FONT}-Italic{suffix}")
    for name, path in zip(names, (regular_path, bold_path, italic_path), strict=True):
        pdfmetrics.registerFont(TTFont(name, path))
    pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[1])
    return names[0], names[1]


class _Styles:
    def __init__(self, theme: Theme, regular: str, bold: str):
        primary = colors.HexColor(theme.primary)
        muted = colors.HexColor(theme.muted)
        self.theme = theme
        self.regular, self.bold = regular, bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13, spaceAfter=4)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10.5, textColor=muted)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=11)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=bold)
        self.head_cell = ParagraphStyle("headcell", parent=self.cell, fontName=bold, textColor=colors.white)
        self.h1 = ParagraphStyle(
            "h1",
            parent=self.body,
            fontName=bold,
            fontSize=17,
            leading=21,
            textColor=primary,
            spaceBefore=4,
            spaceAfter=8,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=self.body,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            textColor=primary,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.h3 = ParagraphStyle(
            "h3",
            parent=self.body,
            fontName=bold,
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        )
        self.title = ParagraphStyle(
            "title",
            parent=self.body,
            fontName=bold,
            fontSize=26,
            leading=31,
            textColor=primary,
            alignment=TA_CENTER,
            spaceAfter=10,
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=self.body, fontSize=13, leading=18, alignment=TA_CENTER, textColor=muted, spaceAfter=6
        )
        self.name = ParagraphStyle(
            "name",
            parent=self.body,
            fontName=bold,
            fontSize=20,
            leading=26,
            alignment=TA_CENTER,
            spaceBefore=18,
            spaceAfter=18,
        )


def para(text: str, style: ParagraphStyle, link: str | None = None) -> Paragraph:
    """The one place data becomes paragraph markup: escaped here, once."""
    markup = escape(text).replace("\n", "<br/>")
    if link:
        markup = f'<a href={quoteattr(link)} color="#1F3A5F"><u>{markup}</u></a>'
    return Paragraph(markup, style)


def render_pdf(plan: Plan, theme: Theme) -> bytes:
    regular, bold = register_fonts(theme.font, theme.font_bold)
    styles = _Styles(theme, regular, bold)
    buffer = io.BytesIO()
    page = PAPER[theme.paper]
    who = plan.participant or ""
    document = BaseDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{plan.pathway.title}: action plan" + (f" for {who}" if who else ""),
        author=theme.organisation or who or "pathway-exporter",
        subject=f"{plan.pathway.from_role} to {plan.pathway.to_role}, {plan.start} to {plan.finish}",
        creator=f"pathway-exporter {__version__}",
        keywords=["career plan", plan.pathway.to_role],
        lang="en",
        initialFontName=regular,
    )
    frame = Frame(document.leftMargin, document.bottomMargin, document.width, document.height, id="body")
    document.addPageTemplates([PageTemplate("title", [frame]), PageTemplate("body", [frame])])
    story = build_story(plan, theme, styles, document.width)
    canvas_maker = _numbered_canvas(plan, theme, styles, page)
    document.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def _numbered_canvas(plan: Plan, theme: Theme, styles: _Styles, page: tuple[float, float]):
    """A canvas that holds its pages until the end, so each footer can say `Page X of Y`."""
    header = plan.pathway.title + (f"  |  {plan.participant}" if plan.participant else "")
    muted = colors.HexColor(theme.muted)

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initialFontName", styles.regular)
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                if number > 1:
                    self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = page
            self.saveState()
            self.setFillColor(muted)
            self.setStrokeColor(muted)
            self.setFont(styles.regular, 8)
            self.drawString(MARGIN, height - MARGIN + 2 * mm, _fit(header, styles.regular, 8, width - 2 * MARGIN))
            self.line(MARGIN, height - MARGIN, width - MARGIN, height - MARGIN)
            self.line(MARGIN, MARGIN + 2 * mm, width - MARGIN, MARGIN + 2 * mm)
            self.drawString(MARGIN, MARGIN - 2 * mm, f"{plan.start} to {plan.finish}")
            self.drawRightString(width - MARGIN, MARGIN - 2 * mm, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def build_story(plan: Plan, theme: Theme, styles: _Styles, width: float) -> list:
    story: list = []
    story += _title_page(plan, theme, styles, width)
    story += [NextPageTemplate("body"), PageBreak()]
    story += _at_a_glance(plan, theme, styles, width)
    story += _start_now(plan, styles, width)
    story += _your_week(plan, styles, width)
    story += _overview(plan, styles)
    for phase in plan.phases:
        story += _phase_section(plan, phase.number, theme, styles, width)
    story += _skills(plan, theme, styles, width)
    story += _reality_check(plan, styles)
    story += _faq(plan, styles)
    story += _notes_page(plan, styles, width)
    return story


def _title_page(plan: Plan, theme: Theme, styles: _Styles, width: float) -> list:
    pathway = plan.pathway
    story: list = [Spacer(1, 20 * mm)]
    if theme.logo:
        logo = Image(theme.logo)
        scale = min(1.0, 40 * mm / logo.drawHeight, 80 * mm / logo.drawWidth)
        logo.drawWidth, logo.drawHeight = logo.drawWidth * scale, logo.drawHeight * scale
        story += [logo, Spacer(1, 8 * mm)]
    if theme.organisation:
        story.append(para(theme.organisation, styles.subtitle))
    story.append(para("Personal action plan", styles.subtitle))
    story.append(para(pathway.title, styles.title))
    if pathway.subtitle:
        story.append(para(pathway.subtitle, styles.subtitle))
    story.append(para(plan.participant or "Your plan", styles.name))
    facts = [
        ("From", pathway.from_role),
        ("To", pathway.to_role),
        ("Start", _long(plan.start)),
        ("Planned finish", _long(plan.finish)),
        (
            "Weekly study",
            f"{plan.hours_per_week:g} hours a week ({plan.pace:.2f}x the guide's "
            f"{pathway.hours_per_week:g} h: {_pace_words(plan.pace)})",
        ),
        ("Total effort", f"{plan.total_hours:g} hours in {len(plan.sessions)} study sessions"),
        ("Difficulty", pathway.difficulty),
        ("Typical timeline", pathway.timeline),
        ("Salary change", pathway.salary_change),
        ("Generated", generated_at().date().isoformat()),
    ]
    rows = [[para(label, styles.cell_bold), para(value, styles.cell)] for label, value in facts if value]
    table = Table(rows, colWidths=[38 * mm, min(width - 38 * mm, 110 * mm)], hAlign="CENTER")
    table.setStyle(
        _table_style(
            styles,
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(theme.light)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        )
    )
    story += [table, Spacer(1, 10 * mm)]
    if pathway.demand:
        story.append(para(f"Demand: {pathway.demand}", styles.small))
    return story


def _pace_words(pace: float) -> str:
    if abs(pace - 1) < 0.05:
        return "the guide's own pace"
    return "faster than the guide" if pace > 1 else "slower than the guide"


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "ongoing"


def _table(rows: list[list], widths: list[float], styles: _Styles, header_rows: int = 1, zebra: bool = True) -> Table:
    theme = styles.theme
    table = Table(rows, colWidths=widths, repeatRows=header_rows, splitInRow=1, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#B8C2CC")),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor(theme.primary)))
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor(theme.light)]))
    table.setStyle(_table_style(styles, commands))
    return table


def _table_style(styles: _Styles, commands: list) -> TableStyle:
    """Every table names the embedded font, or ReportLab's Helvetica slips into the file."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.regular), *commands])


def _head(titles: list[str], styles: _Styles) -> list:
    return [para(title, styles.head_cell) for title in titles]


def _at_a_glance(plan: Plan, theme: Theme, styles: _Styles, width: float) -> list:
    story = [para("At a glance", styles.h1), _timeline_drawing(plan, theme, styles, width), Spacer(1, 4 * mm)]
    weeks = (plan.finish - plan.start).days / 7
    numbers = [
        ("Start", _short(plan.start)),
        ("Planned finish", _short(plan.finish)),
        ("Calendar weeks", f"{weeks:.0f}"),
        ("Study hours", f"{plan.total_hours:g}"),
        ("Hours a week", f"{plan.hours_per_week:g}"),
        ("Sessions", str(len(plan.sessions))),
        ("Phases", str(len(plan.phases))),
        ("Tasks", str(len(plan.tasks))),
    ]
    cells = [[para(label, styles.small), para(value, styles.h3)] for label, value in numbers]
    grid = [reduce(operator.iadd, cells[i : i + 4], []) for i in range(0, len(cells), 4)]
    table = Table(grid, colWidths=[width / 8] * 8, hAlign="LEFT")
    table.setStyle(
        _table_style(
            styles,
            [("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(theme.muted)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        )
    )
    story.append(table)
    milestones = [m for m in plan.milestones if m.kind in ("skill-target", "action-checkpoint", "programme-finish")]
    if milestones:
        story.append(para("Milestones", styles.h2))
        rows = [_head(["Date", "Milestone"], styles)] + [
            [para(_short(m.date), styles.cell), para(m.title, styles.cell)] for m in milestones
        ]
        story.append(_table(rows, [30 * mm, width - 30 * mm], styles))
    return story


def _timeline_drawing(plan: Plan, theme: Theme, styles: _Styles, width: float) -> Drawing:
    """Phases as bars across the months; milestones as diamonds; the start as a marked line."""
    label_width = 58 * mm
    row_height = min(19.0, (150 * mm - 48) / max(len(plan.phases), 1))  # many phases: thinner rows, one page
    bar_height, gap, top = row_height * 0.68, row_height * 0.32, 22
    min(7.5, row_height * 0.55)
    height = top + len(plan.phases) * row_height + 26
    drawing = Drawing(width, height, initialFontName=styles.regular)
    span = max((plan.finish - plan.start).days + 1, 1)
    left, right = label_width, width - 4

    def x_of(day: date) -> float:
        return left + (right - left) * ((day - plan.start).days / span)

    primary, accent, muted = (
        colors.HexColor(theme.primary),
        colors.HexColor(theme.accent),
        colors.HexColor(theme.muted),
    )
    month = date(plan.start.year, plan.start.month, 1)
    axis_y = height - top + 6
    step = max(1, round(span / 30 / 14))  # at most about 14 month labels
    index = 0
    while month <= plan.finish:
        if month >= plan.start:
            x = x_of(month)
            drawing.add(Line(x, 10, x, axis_y, strokeColor=colors.HexColor("#D0D6DC"), strokeWidth=0.4))
            if index % step == 0:
                drawing.add(
                    String(x + 1, axis_y + 3, f"{month:%b %y}", fontName=styles.regular, fontSize=6.5, fillColor=muted)
                )
            index += 1
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for row, phase in enumerate(plan.phases):
        y = height - top - (row + 1) * (bar_height + gap)
        drawing.add(
            String(
                0,
                y + 3.5,
                _fit(f"{phase.number}. {phase.title}", styles.regular, 7.5, label_width - 6),
                fontName=styles.regular,
                fontSize=7.5,
            )
        )
        x0, x1 = x_of(phase.start), x_of(phase.finish + timedelta(days=1))
        shade = primary if row % 2 == 0 else colors.HexColor(theme.muted)
        drawing.add(
            Rect(x0, y, max(x1 - x0, 1.5), bar_height, fillColor=shade, strokeColor=colors.black, strokeWidth=0.3)
        )
        if x1 - x0 > 14:
            drawing.add(
                String(x0 + 3, y + 3.5, f"P{phase.number}", fontName=styles.bold, fontSize=7, fillColor=colors.white)
            )
    for milestone in plan.milestones:
        if milestone.kind in ("skill-target", "action-checkpoint", "programme-finish"):
            x = x_of(milestone.date)
            drawing.add(
                Polygon(
                    [x, 8, x + 3.5, 4.5, x, 1, x - 3.5, 4.5],
                    fillColor=accent,
                    strokeColor=colors.black,
                    strokeWidth=0.3,
                )
            )
    start_x = x_of(plan.start)
    drawing.add(Line(start_x, 0, start_x, axis_y, strokeColor=accent, strokeWidth=1.6))
    drawing.add(String(start_x + 2, 12, "Start", fontName=styles.bold, fontSize=7, fillColor=accent))
    drawing.add(String(0, 1.5, "◆ milestone", fontName=styles.regular, fontSize=6.5, fillColor=muted))
    return drawing


def _start_now(plan: Plan, styles: _Styles, width: float) -> list:
    story: list = [CondPageBreak(60 * mm), para("Start now", styles.h1)]
    for horizon in HORIZONS:
        actions = [a for a in plan.actions if a.horizon == horizon]
        if not actions:
            continue
        rows = [
            [para(TICK_BOX, styles.body), para(a.title, styles.cell), para(f"by {_short(a.due)}", styles.cell)]
            for a in actions
        ]
        table = Table(rows, colWidths=[8 * mm, width - 38 * mm, 30 * mm], hAlign="LEFT")
        table.setStyle(_table_style(styles, [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2)]))
        story += [KeepTogether([para(HORIZON_TITLES[horizon], styles.h3), table])]
    return story


def _your_week(plan: Plan, styles: _Styles, width: float) -> list:
    rows = [_head(["Day", "Study windows", "Hours"], styles)]
    for weekday in range(7):
        windows = plan.availability.on(weekday)
        if windows:
            spans = ", ".join(f"{clock(w.start)}-{clock(w.end)}" for w in windows)
            hours = sum(w.minutes for w in windows) / 60
            rows.append(
                [para(WEEKDAY_NAMES[weekday], styles.cell), para(spans, styles.cell), para(f"{hours:g}", styles.cell)]
            )
    rows.append(
        [
            para("Week", styles.cell_bold),
            para(f"Time zone {plan.timezone}", styles.cell),
            para(f"{plan.hours_per_week:g}", styles.cell_bold),
        ]
    )
    story = [para("Your week", styles.h2), _table(rows, [35 * mm, 80 * mm, 20 * mm], styles)]
    if plan.blackouts:
        story.append(para("No study on: " + ", ".join(b.label() for b in plan.blackouts), styles.small))
    if plan.holidays:
        story.append(para(f"No study on public holidays of {plan.holidays}.", styles.small))
    return [KeepTogether(story)]


def _overview(plan: Plan, styles: _Styles) -> list:
    pathway = plan.pathway
    story: list = []
    if pathway.overview:
        story.append(para("About this transition", styles.h2))
        story += [para(" ".join(p.split()), styles.body) for p in pathway.overview.split("\n\n") if p.strip()]
    if pathway.transferable_skills:
        story.append(para("What you already bring", styles.h2))
        for skill in pathway.transferable_skills:
            story.append(KeepTogether([para(skill.name, styles.h3), para(skill.description, styles.body)]))
    return story


def _phase_section(plan: Plan, number: int, theme: Theme, styles: _Styles, width: float) -> list:
    phase = next(p for p in plan.phases if p.number == number)
    source = plan.phase_source(number)
    story: list = [CondPageBreak(90 * mm)]
    story.append(para(f"Phase {phase.number}: {phase.title}", styles.h1))
    story.append(
        para(
            f"{_long(phase.start)} to {_long(phase.finish)}  ·  {phase.hours:g} hours  ·  "
            f"{source.weeks:g} weeks in the guide",
            styles.small,
        )
    )
    if source.description:
        story.append(para(source.description, styles.body))
    rows = [_head(["", "Task", "Planned", "Hours"], styles)]
    for task in plan.tasks_of(number):
        rows.append(
            [
                para(TICK_BOX, styles.body),
                para(f"{task.id}  {task.title}", styles.cell),
                para(f"{_short(task.start)} to {_short(task.finish)}", styles.cell),
                para(f"{task.hours:g}", styles.cell),
            ]
        )
    story += [Spacer(1, 2 * mm), _table(rows, [8 * mm, width - 73 * mm, 50 * mm, 15 * mm], styles)]
    if source.resources:
        story.append(para("Resources", styles.h3))
        for resource in source.resources:
            url = safe_url(resource.url)
            line = [para(f"• {resource.title}", styles.body, link=url)]
            if resource.url:
                line.append(para(f"   {resource.url}", styles.small))
            story.append(KeepTogether(line))
    return story


def _skills(plan: Plan, theme: Theme, styles: _Styles, width: float) -> list:
    if not plan.skills:
        return []
    rows = [_head(["Skill", "Priority", "Weeks", "Target", "How to learn it"], styles)]
    for skill, source in zip(plan.skills, plan.pathway.skills, strict=True):
        rows.append(
            [
                para(skill.name, styles.cell_bold),
                para(skill.priority, styles.cell),
                para("ongoing" if skill.weeks is None else f"{skill.weeks:g}", styles.cell),
                para(_short(skill.target), styles.cell),
                para(source.how, styles.cell),
            ]
        )
    return [
        CondPageBreak(70 * mm),
        para("Skills to learn", styles.h1),
        _table(rows, [36 * mm, 24 * mm, 18 * mm, 24 * mm, width - 102 * mm], styles),
    ]


def _reality_check(plan: Plan, styles: _Styles) -> list:
    check = plan.pathway.reality_check
    if not (check.love or check.miss or check.challenges):
        return []
    story: list = [CondPageBreak(70 * mm), para("Reality check", styles.h1)]
    if check.intro:
        story.append(para(check.intro, styles.body))
    for title, items in (
        ("What you'll love", check.love),
        ("What you might miss", check.miss),
        ("Biggest challenges", check.challenges),
    ):
        if items:
            story.append(KeepTogether([para(title, styles.h3), *(para(f"• {item}", styles.body) for item in items)]))
    return story


def _faq(plan: Plan, styles: _Styles) -> list:
    pathway = plan.pathway
    story: list = []
    if pathway.faq:
        story += [CondPageBreak(50 * mm), para("Frequently asked questions", styles.h1)]
        for item in pathway.faq:
            story.append(
                KeepTogether([para(item.question or "Salary and prospects", styles.h3), para(item.answer, styles.body)])
            )
    if pathway.closing:
        story += [Spacer(1, 4 * mm), *(para(p.strip(), styles.body) for p in pathway.closing.split("\n\n"))]
    for note in pathway.notes:
        story.append(para(note, styles.small))
    return story


def _notes_page(plan: Plan, styles: _Styles, width: float) -> list:
    lines = Drawing(width, 200 * mm, initialFontName=styles.regular)
    for index in range(24):
        y = 200 * mm - index * 8.4 * mm
        lines.add(Line(0, y, width, y, strokeColor=colors.HexColor("#B8C2CC"), strokeWidth=0.4))
    return [PageBreak(), para("Notes", styles.h1), lines]
