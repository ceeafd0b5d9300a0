"""Visitation pages: placements with visible prices, approvals, follow-ups,
purchases & sales, one module per feature. Every view starts from
``Placement.objects.visible_to`` (through ``common.get_placement_for_user``)."""
