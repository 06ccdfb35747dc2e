"""JSON API of an awarded demand's schedule: read it (the institution, and each awarded producer its own
part), pause, resume, skip a delivery, change the quantity per delivery, end it."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.deps import ApiUserDep, SessionDep
from market.linking import demands, schedules
from market.linking.schedule_schemas import (
    DeliveryLinePublic,
    DeliveryPublic,
    ScheduleChange,
    SchedulePublic,
)

router = APIRouter(tags=["linking"])


def _public(session: Session, user: User, demand_id: int) -> SchedulePublic:
    schedule = schedules.view(session, user, demands.visible(session, user, demand_id))
    deliveries = [
        DeliveryPublic(
            sequence=d.call_off.sequence,
            due=d.call_off.due,
            status=d.call_off.status,
            order_id=d.call_off.order_id,
            quantity=d.quantity,
            lines=[DeliveryLinePublic(**vars(line)) for line in d.lines],
        )
        for d in schedule.deliveries
    ]
    return SchedulePublic(
        demand_id=demand_id,
        status=schedule.demand.schedule_status,
        paused_on=schedule.demand.paused_on,
        quantity=schedule.quantity,
        unit=schedule.demand.unit,
        deliveries=deliveries,
    )


@router.get(
    "/demands/{demand_id}/schedule",
    response_model=SchedulePublic,
    responses={409: {"description": "The demand is not awarded: it has no schedule yet"}},
)
def read_schedule(demand_id: Id, user: ApiUserDep, session: SessionDep) -> SchedulePublic:
    """The deliveries: every producer's part for the institution, its own part for an awarded producer."""
    return _public(session, user, demand_id)


@router.post("/demands/{demand_id}/schedule/pause", response_model=SchedulePublic)
def pause_schedule(demand_id: Id, user: ApiUserDep, session: SessionDep) -> SchedulePublic:
    """No delivery's order is placed while paused; those due meanwhile are skipped when it resumes."""
    schedules.pause(session, user, demands.visible(session, user, demand_id))
    return _public(session, user, demand_id)


@router.post("/demands/{demand_id}/schedule/resume", response_model=SchedulePublic)
def resume_schedule(demand_id: Id, user: ApiUserDep, session: SessionDep) -> SchedulePublic:
    """Resume: the deliveries due up to today are skipped, the later ones keep their dates."""
    schedules.resume(session, user, demands.visible(session, user, demand_id))
    return _public(session, user, demand_id)


@router.post("/demands/{demand_id}/schedule/end", response_model=SchedulePublic)
def end_schedule(demand_id: Id, user: ApiUserDep, session: SessionDep) -> SchedulePublic:
    """End: every delivery not yet ordered is cancelled; orders already placed stand."""
    schedules.end(session, user, demands.visible(session, user, demand_id))
    return _public(session, user, demand_id)


@router.patch("/demands/{demand_id}/schedule", response_model=SchedulePublic)
def change_schedule(
    demand_id: Id, data: ScheduleChange, user: ApiUserDep, session: SessionDep
) -> SchedulePublic:
    """A new quantity per delivery for the deliveries not ordered yet: a total split in proportion, or a
    quantity per awarded quote; up to what each producer quoted, never zero."""
    schedules.change_quantity(session, user, demands.visible(session, user, demand_id), data)
    return _public(session, user, demand_id)


@router.post("/demands/{demand_id}/call-offs/{sequence}/skip", response_model=SchedulePublic)
def skip_delivery(demand_id: Id, sequence: Id, user: ApiUserDep, session: SessionDep) -> SchedulePublic:
    """Skip one delivery whose order is not placed yet."""
    schedules.skip(session, user, demands.visible(session, user, demand_id), sequence)
    return _public(session, user, demand_id)
