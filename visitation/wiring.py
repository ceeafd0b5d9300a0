"""What the visitation app registers with the shared registries when Django is ready
(``visitation.apps``): its home tabs, history kinds, start-page sections, demo seeders and
reference loaders. Its own module so that its imports sit at the top: ``apps.py`` is
imported before the models exist, this module only from ``AppConfig.ready()``.
"""

from __future__ import annotations

from botilbud.dataprotection import Section, register_activity, register_person_model, register_scope, register_section
from botilbud.models import Home, Role
from botilbud.permissions import can
from botilbud.registry import demo_seeder, history_kind, home_tab, reference_loader, start_section
from visitation import dataprotection, demo, reference
from visitation.models import Citizen, Decision, FollowUp, Offer, OfferPrice, Placement, PlacementChange
from visitation.views.worklist import start_section_context


def connect() -> None:
    start_section(
        [Role.CASEWORKER, Role.AUTHORITY_HEAD],
        "visitation/_start_section.html",
        start_section_context,
        order=10,
    )
    home_tab("Bevillinger", "visitation:home_placements", order=30)
    history_kind(
        "bevilling",
        lambda user: Placement.objects.visible_to(user),
        children=[(Decision, "placement_id"), (PlacementChange, "placement_id"), (FollowUp, "placement_id")],
    )
    history_kind(
        "borger",
        lambda user: (
            Citizen.objects.filter(pk__in=Placement.objects.visible_to(user).values("citizen_id"))
            if can(user, "visitation.view_all_placements")
            else Citizen.objects.none()
        ),
    )
    history_kind("tilbud", offers_visible_to, children=[(OfferPrice, "offer_id")])
    demo_seeder(20, "visitation", demo.seed)
    reference_loader(reference.load_defaults)
    # The record of processing (/databeskyttelse/): the placements, who sees them,
    # the citizen as a person, and the retention job's dry run and runs.
    register_activity("visitation", 10, dataprotection.activity)
    register_scope("placements", dataprotection.PLACEMENTS)
    register_person_model(Citizen)
    register_section(
        Section(
            anchor="sletning",
            title="Sletteregel: prøvekørsel og kørsler",
            template="visitation/_retention_section.html",
            context=dataprotection.retention_section,
        )
    )


def offers_visible_to(user):  # noqa: ANN001, ANN201 - registry callback
    """The offers whose history ``user`` may read: the authority, the
    department head and the administrator see every offer; a home-side role
    only the offers of the homes it sees."""

    if not user.is_authenticated or not user.is_active:
        return Offer.objects.none()
    if can(user, "visitation.view_all_placements"):
        return Offer.objects.all()
    return Offer.objects.filter(home__in=Home.objects.visible_to(user).values("pk"))
