"""The one email rule (service/emails.py): the forms and the outbox agree on it."""

import pytest
from marshmallow import Schema

from service.emails import MAX_LENGTH, EmailAddress, is_address, normalise


class _Form(Schema):
    email = EmailAddress(required=True)


@pytest.mark.parametrize(
    "address",
    [
        "hr.admin@het-anker.example",
        "first+tag@sub.example.be",
        "o'brien@example.ie",
        "jérôme@café.example",
        "a" * (MAX_LENGTH - len("@example.com")) + "@example.com",  # exactly 254
    ],
)
def test_plain_addresses_are_accepted(address):
    assert is_address(address)
    assert _Form().load({"email": address}) == {"email": address.lower()}


@pytest.mark.parametrize(
    "address",
    [
        "a@localhost",  # a domain without a dot
        "a@example.",
        "a@.example.com",
        "a@example..com",
        "a@-example.com",
        "a@example_1.com",
        "@example.com",
        "a.@example.com",
        "a..b@example.com",
        "a b@example.com",
        "a@exam ple.com",
        "a\t@example.com",
        "a\x00@example.com",
        "a\x7f@example.com",
        "a\u2028@example.com",
        "a@b@example.com",
        "two@example.com, three@example.com",
        "Name <a@example.com>",
        "evil@example.com\r\nBcc: victim@example.com",
        "a" * (MAX_LENGTH + 1 - len("@example.com")) + "@example.com",  # 255
        "",
    ],
)
def test_anything_else_is_refused_by_the_rule_and_the_field(address):
    assert not is_address(address)
    errors = _Form().validate({"email": address})
    assert errors == {"email": ["Enter a valid email address."]}


def test_the_field_trims_and_lowercases_and_refuses_what_is_not_text():
    assert _Form().load({"email": "  Hr.Admin@Example.COM \n"}) == {"email": "hr.admin@example.com"}
    assert normalise(" A@B.C ") == "a@b.c"
    assert not is_address(" a@example.com")  # the rule checks the normalised spelling
    assert _Form().validate({"email": 42}) == {"email": ["Enter a valid email address."]}
