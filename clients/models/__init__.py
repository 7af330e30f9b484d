"""The clients app's models, filed by concern: core (clients, shares, life events,
contact persons), coverage (coverage team, coverage history), groups (households and
corporate groups) and portfolio (products, holdings, transactions, tier thresholds,
import jobs). Import them from clients.models."""

from .core import (
    Client,
    ClientUserObjectPermission,
    ContactPerson,
    CreditRating,
    Interest,
    InvestmentGoal,
    KycStatus,
    LifeEvent,
)
from .coverage import (
    CoverageChange,
    CoverageTeamMember,
)
from .groups import (
    GroupMembership,
    RelationshipGroup,
)
from .portfolio import (
    BASE_CURRENCY,
    CURRENCY_CHOICES,
    FX_TO_BASE,
    Holding,
    ImportJob,
    Product,
    ProductCategory,
    TierThreshold,
    Transaction,
    TransactionCategory,
)
from .search import ClientNameGram

__all__ = [
    "BASE_CURRENCY",
    "CURRENCY_CHOICES",
    "Client",
    "ClientNameGram",
    "ClientUserObjectPermission",
    "ContactPerson",
    "CoverageChange",
    "CoverageTeamMember",
    "CreditRating",
    "FX_TO_BASE",
    "GroupMembership",
    "Holding",
    "ImportJob",
    "Interest",
    "InvestmentGoal",
    "KycStatus",
    "LifeEvent",
    "Product",
    "ProductCategory",
    "RelationshipGroup",
    "TierThreshold",
    "Transaction",
    "TransactionCategory",
]
