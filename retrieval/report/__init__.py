"""The cadres' report over the records: what citizens asked that the documents do not answer,
what they voted 👎, coverage per week and face, the most-cited clauses (``build_report``), as
CSV (``to_csv``) and text (``to_text``). ``Assistant.report()`` builds it with clause labels."""

from .build import CitedClause, QuestionGroup, Report, WeekCoverage, build_report
from .export import to_csv, to_text
from .grouping import DEFAULT_THRESHOLD, features, group, group_questions
from .labels import index_labels

__all__ = ["DEFAULT_THRESHOLD", "CitedClause", "QuestionGroup", "Report", "WeekCoverage", "build_report", "features", "group", "group_questions", "index_labels", "to_csv", "to_text"]
