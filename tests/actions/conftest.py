import pytest


@pytest.fixture(autouse=True)
def _request(app):
    """The services' messages are translated for the person asking: a request is there."""
    with app.test_request_context():
        yield
