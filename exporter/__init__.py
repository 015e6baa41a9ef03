"""pathway-exporter: a career-transition roadmap turned into a personal plan."""

__version__ = "0.1.0"
