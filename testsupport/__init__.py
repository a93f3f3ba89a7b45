"""What the tests and the reliability scripts share: test pictures and a real test Thumbor server.

A top-level package (not ``tests.support`` nor ``reliability.support``) so that ``tests/`` and
``reliability/`` both use it without importing each other; not in the wheel (pyproject lists the
packages it ships).
"""
