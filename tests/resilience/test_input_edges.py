"""Targeted input edges where Python and JavaScript (Kibana) disagree: a key with a trailing newline, lengths
counted in UTF-16 code units, and what trim() removes. The module must refuse before any request what Kibana
refuses, and the simulator must refuse it as Kibana does. (Each of these failed until commit 5b48cc7.)"""

from __future__ import annotations

import pytest

from resilience_helpers import admin_connection, client, module_params
from test_input_properties import fresh, kibana_form, post_directly

from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import sync_case_configuration
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import InvalidOptions

# JavaScript's /^[a-z0-9_-]+$/ (no m flag) does not match "abc\n"; Python's re '$' matches before a final newline.
NEWLINE_KEY = dict(custom_fields=[{'key': 'ticket\n', 'label': 'Ticket', 'type': 'text'}])
NEWLINE_OBSERVABLE = dict(observable_types=[{'key': 'vessel\n', 'label': 'Vessel'}])
# 30 emoji: 30 code points, 60 UTF-16 code units; Kibana's limit of 50 counts String.length (code units).
ASTRAL_LABEL = dict(custom_fields=[{'key': 'ticket', 'label': '\U0001F600' * 30, 'type': 'text'}])
ASTRAL_DEFAULT = dict(custom_fields=[{'key': 'ticket', 'label': 'T', 'type': 'text', 'default_value': '\U0001F600' * 100}])
# U+FEFF is whitespace for JavaScript's trim() (so the label is empty for Kibana) but not for Python's strip().
BOM_LABEL = dict(custom_fields=[{'key': 'ticket', 'label': '\ufeff', 'type': 'text'}])


def refused_before_any_request(sim, options):
    fresh(sim)
    with pytest.raises(InvalidOptions) as caught:
        sync_case_configuration(client(sim), module_params(**dict(admin_connection(sim), **options)))
    assert sim.requests() == []
    return caught.value


@pytest.mark.parametrize('options', [NEWLINE_KEY, NEWLINE_OBSERVABLE], ids=['custom_field', 'observable_type'])
def test_module_refuses_a_key_with_a_trailing_newline(simulator, options):
    refused_before_any_request(simulator, options)


def test_simulator_refuses_a_key_with_a_trailing_newline(simulator):
    assert post_directly(simulator, kibana_form(NEWLINE_KEY)).status_code == 400


def test_simulator_counts_utf16_code_units(simulator):
    for options in (ASTRAL_LABEL, ASTRAL_DEFAULT):
        answer = post_directly(simulator, kibana_form(options))
        assert answer.status_code == 400 and 'too long' in answer.json()['message'], answer.text


@pytest.mark.parametrize('options', [ASTRAL_LABEL, ASTRAL_DEFAULT], ids=['label', 'default_value'])
def test_module_counts_lengths_as_kibana_does(simulator, options):
    refused_before_any_request(simulator, options)


def test_module_trims_as_javascript_does(simulator):
    refused_before_any_request(simulator, BOM_LABEL)


def test_simulator_trims_as_javascript_does(simulator):
    assert post_directly(simulator, kibana_form(BOM_LABEL)).status_code == 400
