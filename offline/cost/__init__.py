"""What a stack costs a month, estimated offline from the captured resources (``--cost``)."""
