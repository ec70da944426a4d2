"""Admin behaviour shared by every app: nothing is hard-deleted, and some rows are only to be read."""


class NoDeleteMixin:
    """Nothing is hard-deleted: deactivate instead."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Rows written by migrations, the workflow or the workers: to read, never to edit by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
