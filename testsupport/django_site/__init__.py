"""The Django site the tests, ``reliability/check_django.py`` and the benchmarks run: settings (in-process,
child-process and Celery), the test app, URLs and the instrumented storages. Outside ``tests`` so that
``reliability`` can run it without importing the test suite."""
