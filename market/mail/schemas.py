"""What a person chose to receive by e-mail, as the API shows and takes it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from market.mail.kinds import Topic


class TopicChoice(BaseModel):
    topic: Topic
    label: str = Field(description="What the topic covers, in the request's language")
    essential: bool = Field(description="Messages about the account and orders cannot be turned off")
    receiving: bool


class EmailPreferencesPublic(BaseModel):
    topics: list[TopicChoice]
    muted: list[Topic] = Field(description="Topics the person turned off")
    daily_digest: bool = Field(
        description="One message a day (at the site's digest hour, Mexico City time) with new orders, "
        "demands to quote, messages and reviews, instead of one message for each"
    )
    digest_available: bool = Field(
        description="Whether the person may choose the daily digest: members of a producer organization"
    )


class EmailPreferencesUpdate(BaseModel):
    muted: list[Topic] = Field(default_factory=list, max_length=len(Topic))
    daily_digest: bool = False
