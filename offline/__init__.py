"""Run the Pulumi program offline: mocks, captured resources and a readable plan.

Nothing here talks to AWS or needs the Pulumi CLI; see DESIGN.md, "Verifying without a cloud".
"""
