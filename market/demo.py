"""The demo marketplace's data file, demo.toml: its shape and its loading. Each entry is validated by the
schema the API itself takes for it, plus the few fields only the demo has; market.seed writes it."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from market.accounts.schemas import NewPassword, Registration
from market.catalog.schemas import ListingCreate
from market.db import utcnow
from market.invoicing.fiscal_profile import FiscalProfileUpdate
from market.linking.schemas import BuyerOrganizationCreate, DemandCreate, QuoteCreate
from market.orders.schemas import PaymentMethod
from market.organizations.schemas import OrganizationCreate
from market.reviews.schemas import ReviewCreate

DEMO_FILE = Path(__file__).with_name("demo.toml")
DEMO_PASSWORD = "tianguis-demo-2026"
Outcome = Literal["rejected", "delivered", "completed"]  # where the demo takes a part of an order


class DemoAccount(Registration):
    password: NewPassword = DEMO_PASSWORD


class DemoOrganization(OrganizationCreate):
    """An organization with its address on the site, its listings, and whether it waits for verification.
    One that sells to the demo's institution has its fiscal data (and gets a test CSD), so that its parts
    are invoiced."""

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    pending: bool = False
    listings: list[ListingCreate]
    fiscal: FiscalProfileUpdate | None = None

    def profile(self) -> dict[str, Any]:
        """What the organization says of itself: the fields of OrganizationCreate."""
        return self.model_dump(exclude={"slug", "pending", "listings", "fiscal"})


class DemoDemand(DemandCreate):
    """A demand whose dates are given in days after the day the demo is loaded (`first_delivery_in_days`,
    `quote_deadline_in_days`)."""

    @model_validator(mode="before")
    @classmethod
    def _days_from_today(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data, now = dict(data), utcnow()
        for field in ("first_delivery", "quote_deadline"):
            days = data.get(f"{field}_in_days")
            if isinstance(days, int) and not isinstance(days, bool):  # any other value is refused as extra
                moment = now + timedelta(days=data.pop(f"{field}_in_days"))
                data[field] = moment.date() if field == "first_delivery" else moment
        return data


class DemoQuote(QuoteCreate):
    organization: str  # its slug


class DemoSupply(DemoDemand):
    """A recurring demand already awarded to these quotes: its first delivery ordered, the rest scheduled."""

    quotes: list[DemoQuote] = Field(min_length=1)


class DemoSchool(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purchaser: DemoAccount
    institution: BuyerOrganizationCreate
    demand: DemoDemand
    supply: DemoSupply


class DemoReview(ReviewCreate):
    reply: str | None = None  # the producer's answer


class DemoPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization: str  # its slug
    listing: str  # its title
    quantity: int = Field(gt=0)
    outcome: Outcome | None = None  # None: it waits for its producer
    note: str | None = None  # the producer's, on its last step
    review: DemoReview | None = None

    @model_validator(mode="after")
    def _reviewed_once_completed(self) -> DemoPart:
        if self.review is not None and self.outcome != "completed":
            raise ValueError("only a completed part can be reviewed")
        return self


class DemoOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buyer: Literal["consumer", "school"]
    payment_method: PaymentMethod
    ship_to: str | None = None  # where its producers deliver; picked up when None
    last_month: bool = False  # paid last month: a person's parts are in their producers' global invoices
    parts: list[DemoPart] = Field(min_length=1)


class DemoMarketplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    administrator: DemoAccount
    consumer: DemoAccount
    school: DemoSchool
    orders: list[DemoOrder]
    organizations: list[DemoOrganization]

    @model_validator(mode="after")
    def _orders_buy_listings_of_the_file(self) -> DemoMarketplace:
        titles: dict[str, set[str]] = {}
        for org in self.organizations:
            if org.slug in titles:
                raise ValueError(f"two organizations have the slug {org.slug!r}")
            titles[org.slug] = {listing.title for listing in org.listings}
        for n, order in enumerate(self.orders):
            for m, part in enumerate(order.parts):
                if part.listing not in titles.get(part.organization, set()):
                    raise ValueError(
                        f"orders[{n}] > parts[{m}] buys {part.listing!r} of {part.organization!r}, "
                        "which is not in the file"
                    )
        return self


class DemoDataError(ValueError):
    """The data file is not valid; the message says where, naming the entries."""


def load_marketplace(path: Path = DEMO_FILE) -> DemoMarketplace:
    """The demo marketplace as the data file describes it, or DemoDataError saying what is wrong where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{path.name}: {error}") from None
    try:
        return DemoMarketplace.model_validate(data)
    except ValidationError as error:
        problems = [f"  {_where(data, problem['loc'])}: {problem['msg']}" for problem in error.errors()]
        raise DemoDataError("\n".join([f"{path.name} is not valid:", *problems])) from None


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """A place in the file, an entry of a list by its index and name: `organizations[3] (slug) > rfc`."""
    place = ""
    for key in loc:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and key < len(data) else None
            names = (
                [data[k] for k in ("slug", "title", "organization") if k in data]
                if isinstance(data, dict)
                else []
            )
            place += f"[{key}]" + (f" ({names[0]})" if names else "")
        else:
            data = data.get(key) if isinstance(data, dict) else None
            place += f" > {key}" if place else key
    return place or "the file"
