"""Back office: Content > Dynamic Blocks (spec c §11.5).

The grid (ID, Dynamic Block Name, Dynamic Block Type, Store View, Customer Segment, Enabled)
with filters, and the edit page with Store View (All Store Views or some), Enable Dynamic
Block, Dynamic Block Name, Dynamic Block Type, the Customer Segment checklist (hidden while
segments are turned off; the block keeps its segments), the content and the sort order. Every
save and delete goes through :mod:`patron.blocks.services`; staff limited to some websites see
and choose only their websites' store views.
"""

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.admin_site import admin_site
from patron.audiences.models import Audience
from patron.audiences.services import is_enabled as audiences_enabled
from patron.blocks import selectors, services
from patron.blocks.models import ContentBlock
from patron.core.actors import Actor
from patron.customers.admin import ServiceErrorsMixin
from patron.scopes.models import StoreView
from patron.segments.models import Segment
from patron.staff.services import staff_website_ids

ALL_STORE_VIEWS = "0"  # the Store View list's first choice, as in Magento


def _store_views_for(user):
    views = StoreView.objects.select_related("store__website").order_by("store__website_id", "pk")
    ids = staff_website_ids(user)
    return views if ids is None else views.filter(store__website_id__in=ids)


class SegmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, segment):
        if segment.is_active:
            return segment.name
        return _("%(name)s (inactive)") % {"name": segment.name}


class BlockForm(forms.ModelForm):
    # Named as the model field, so the service's problems with store views land on it.
    store_views = forms.MultipleChoiceField(
        label=gettext_lazy("Store View"),
        help_text=gettext_lazy("All Store Views, or the store views that show the block."),
    )
    segments = SegmentChoiceField(
        label=gettext_lazy("Customer Segment"),
        queryset=Segment.objects.order_by("name", "pk"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("None ticked: the block is shown to everyone."),
    )

    audiences = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Audience"),
        queryset=Audience.objects.order_by("name", "pk"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "Audiences from the customer data platform; with no segment and no audience "
            "ticked, the block is shown to everyone."
        ),
    )

    class Meta:
        model = ContentBlock
        fields = ["store_views", "is_enabled", "name", "type", "segments", "audiences", "html",
                  "sort_order"]  # fmt: skip
        widgets = {"html": forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        views = _store_views_for(user)
        choices = (
            [] if staff_website_ids(user) is not None else [(ALL_STORE_VIEWS, _("All Store Views"))]
        )
        choices += [(str(view.pk), f"{view.store.website.name} / {view.name}") for view in views]
        self.fields["store_views"].choices = choices
        if self.instance.pk:
            self.initial["store_views"] = (
                [ALL_STORE_VIEWS]
                if self.instance.all_store_views
                else [str(pk) for pk in self.instance.store_views.values_list("pk", flat=True)]
            )
        self.fields["html"].help_text = _(
            "HTML; scripts, styles and event attributes are removed when the block is saved."
        )

    def scope_values(self) -> tuple[bool, list[int]]:
        chosen = self.cleaned_data.get("store_views") or []
        return ALL_STORE_VIEWS in chosen, [int(pk) for pk in chosen if pk != ALL_STORE_VIEWS]


class StoreViewFilter(admin.SimpleListFilter):
    title = gettext_lazy("Store View")
    parameter_name = "store_view"

    def lookups(self, request, model_admin):
        return [("all", _("All Store Views"))] + [
            (str(view.pk), view.name) for view in _store_views_for(request.user)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset.filter(all_store_views=True)
        if value and value.isdigit():
            on_view = ContentBlock.store_views.through.objects.filter(
                contentblock_id=OuterRef("pk"), storeview_id=int(value)
            )
            return queryset.filter(Q(all_store_views=True) | Exists(on_view))
        return queryset


@admin.register(ContentBlock, site=admin_site)
class ContentBlockAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Content > Dynamic Blocks."""

    form = BlockForm
    list_display = [
        "block_id", "block_name", "type", "store_view_names", "segment_names", "is_enabled",
    ]  # fmt: skip
    list_display_links = ["block_id", "block_name"]
    list_filter = ["type", "is_enabled", StoreViewFilter, "segments"]
    search_fields = ["name"]
    search_help_text = gettext_lazy("Search by dynamic block name.")
    ordering = ["pk"]
    list_per_page = 50
    actions = None

    def get_queryset(self, request):
        return selectors.list_blocks(website_ids=staff_website_ids(request.user))

    def get_form(self, request, obj=None, **kwargs):
        from patron.segments.services import is_enabled as segments_enabled

        form_class = super().get_form(request, obj, **kwargs)
        user = request.user
        hide_segments = not segments_enabled()
        hide_audiences = not audiences_enabled()

        class RequestForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, user=user, **kwargs)
                if hide_segments:
                    del self.fields["segments"]
                if hide_audiences:
                    del self.fields["audiences"]

        return RequestForm

    def get_fields(self, request, obj=None):
        from patron.segments.services import is_enabled as segments_enabled

        hidden = {"segments"} if not segments_enabled() else set()
        if not audiences_enabled():
            hidden.add("audiences")
        return [f for f in BlockForm.Meta.fields if f not in hidden]

    def run_service(self, request, form, obj):
        data = form.cleaned_data
        all_store_views, store_views = form.scope_values()
        fields = {
            "name": data["name"], "type": data["type"], "is_enabled": data["is_enabled"],
            "all_store_views": all_store_views, "store_views": store_views,
            "html": data["html"], "sort_order": data["sort_order"],
        }  # fmt: skip
        for targeting in ("segments", "audiences"):
            if targeting in form.fields:
                fields[targeting] = list(data[targeting])
        actor = Actor.staff(request.user)
        if obj is None:
            return services.create_block(actor=actor, **fields)
        return services.update_block(block=obj, actor=actor, **fields)

    def save_related(self, request, form, formsets, change):
        """The service saved the store views and segments too."""

    def delete_model(self, request, obj):
        services.delete_block(block=obj, actor=Actor.staff(request.user))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": _("Dynamic Blocks"), **(extra_context or {})}
        )

    @admin.display(description=gettext_lazy("ID"), ordering="pk")
    def block_id(self, block):
        return block.pk

    @admin.display(description=gettext_lazy("Dynamic Block Name"), ordering="name")
    def block_name(self, block):
        return block.name

    @admin.display(description=gettext_lazy("Store View"))
    def store_view_names(self, block):
        if block.all_store_views:
            return _("All Store Views")
        return ", ".join(view.name for view in block.store_views.all())

    @admin.display(description=gettext_lazy("Customer Segment"))
    def segment_names(self, block):
        names = [segment.name for segment in block.segments.all()]
        return ", ".join(names) if names else _("Everyone")
