"""The card pages, one module per area: the card itself, history, review, audit, SageMaker.

Views call access helpers and services, never AWS; refusals are shown by ``refusals``.
"""
