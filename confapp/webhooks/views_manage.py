"""The organiser's webhook pages: endpoints (add, edit, disable, enable, a new signing secret,
delete), recent deliveries with every attempt, and "send again"."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..accounts.permissions import Action
from ..events.access import managed_event
from ..extensions import db
from ..forms import run_action
from ..navigation import register_manage_nav
from ..types import utcnow
from . import queries, services
from .blueprint import bp
from .catalogue import EVENT_TYPES, state_labels
from .forms import EndpointForm
from .models import WebhookDelivery, WebhookEndpoint

register_manage_nav(_l("Webhooks"), "webhooks.endpoint_list", Action.MANAGE_ROLES, order=86, prefix="webhooks.")


def _endpoint(event, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.event_id != event.id:
        abort(404)
    return endpoint


@bp.route("/manage/<slug>/webhooks", methods=["GET", "POST"])
@login_required
def endpoint_list(slug: str):
    event = managed_event(slug, Action.MANAGE_ROLES)
    form = EndpointForm()
    if form.validate_on_submit():
        done = run_action(lambda: services.create_endpoint(
            event, url=form.url.data, event_types=form.event_types.data, description=form.description.data,
            actor=current_user, now=utcnow()), None, form=form, fallback=form.url)
        if done:
            return render_template("webhooks/endpoint_created.html", event=event, endpoint=done.result,
                                   type_labels=EVENT_TYPES)
    return render_template("webhooks/endpoint_list.html", event=event, form=form,
                           rows=queries.event_endpoints(event), type_labels=EVENT_TYPES)


@bp.route("/manage/<slug>/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@login_required
def endpoint_detail(slug: str, endpoint_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    endpoint = _endpoint(event, endpoint_id)
    form = EndpointForm(obj=endpoint)
    if form.validate_on_submit():
        if run_action(lambda: services.update_endpoint(
                endpoint, url=form.url.data, event_types=form.event_types.data, description=form.description.data,
                actor=current_user, now=utcnow()), gettext("Endpoint saved."), form=form, fallback=form.url):
            return redirect(url_for("webhooks.endpoint_detail", slug=slug, endpoint_id=endpoint.id))
    deliveries = queries.recent_deliveries(endpoint)
    return render_template("webhooks/endpoint_detail.html", event=event, endpoint=endpoint, form=form,
                           deliveries=deliveries, attempts=queries.attempts_of(deliveries),
                           type_labels=EVENT_TYPES, state_labels=state_labels(), confirm_form=ConfirmForm())


@bp.route("/manage/<slug>/webhooks/<int:endpoint_id>/disable", methods=["POST"])
@login_required
def endpoint_disable(slug: str, endpoint_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    endpoint = _endpoint(event, endpoint_id)
    run_action(lambda: services.disable_endpoint(endpoint, reason=gettext("Disabled by an organiser."),
                                                 actor=current_user, now=utcnow()),
               gettext("Endpoint disabled: nothing more is sent to it."))
    return redirect(url_for("webhooks.endpoint_detail", slug=slug, endpoint_id=endpoint_id))


@bp.route("/manage/<slug>/webhooks/<int:endpoint_id>/enable", methods=["POST"])
@login_required
def endpoint_enable(slug: str, endpoint_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    endpoint = _endpoint(event, endpoint_id)
    run_action(lambda: services.enable_endpoint(endpoint, actor=current_user, now=utcnow()),
               gettext("Endpoint enabled: new events are sent to it."))
    return redirect(url_for("webhooks.endpoint_detail", slug=slug, endpoint_id=endpoint_id))


@bp.route("/manage/<slug>/webhooks/<int:endpoint_id>/rotate-secret", methods=["POST"])
@login_required
def endpoint_rotate_secret(slug: str, endpoint_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    endpoint = _endpoint(event, endpoint_id)
    services.rotate_secret(endpoint, actor=current_user, now=utcnow())
    db.session.commit()
    return render_template("webhooks/endpoint_created.html", event=event, endpoint=endpoint, type_labels=EVENT_TYPES,
                           rotated=True)


@bp.route("/manage/<slug>/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@login_required
def endpoint_delete(slug: str, endpoint_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    endpoint = _endpoint(event, endpoint_id)
    if run_action(lambda: services.delete_endpoint(endpoint, actor=current_user, now=utcnow()),
                  gettext("Endpoint deleted, with its deliveries.")):
        return redirect(url_for("webhooks.endpoint_list", slug=slug))
    return redirect(url_for("webhooks.endpoint_detail", slug=slug, endpoint_id=endpoint_id))


@bp.route("/manage/<slug>/webhooks/deliveries/<int:delivery_id>/resend", methods=["POST"])
@login_required
def delivery_resend(slug: str, delivery_id: int):
    event = managed_event(slug, Action.MANAGE_ROLES)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint.event_id != event.id:
        abort(404)
    run_action(lambda: services.resend_delivery(delivery, actor=current_user, now=utcnow()),
               gettext("Delivery queued to be sent again."))
    return redirect(url_for("webhooks.endpoint_detail", slug=slug, endpoint_id=delivery.endpoint_id))
