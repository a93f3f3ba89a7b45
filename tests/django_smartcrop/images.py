"""Re-export of testsupport.images under the names these tests use (kept until their imports move there)."""

from testsupport.images import giant_png, jpeg, png, rotated_jpeg, size_of  # noqa: F401
from testsupport.images import upload_scene as scene  # noqa: F401
