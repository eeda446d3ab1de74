"""Local copies of QuickBooks projects, project estimates, the project ledger (actuals) and re-tag requests."""

from .estimate import Estimate, EstimateLine
from .ledger import LedgerLine
from .project import Project, ProjectQuerySet, sum_per_project
from .retag import RetagRequest
from .sales import SalesDocument, SalesLine, TxnStatus

__all__ = [
    "Estimate",
    "EstimateLine",
    "LedgerLine",
    "Project",
    "ProjectQuerySet",
    "RetagRequest",
    "SalesDocument",
    "SalesLine",
    "TxnStatus",
    "sum_per_project",
]
