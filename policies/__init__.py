"""CrossGuard policy pack for trading-platform.

Rules are plain functions over a `Resource` view (see `engine.py`) so they can be unit-tested
without the analyzer; `pack.py` wraps them into pulumi_policy policies and `__main__.py` serves
them the way `pulumi preview --policy-pack policies` starts the pack.
"""
