import json

import pytest
from ansible.module_utils import _internal
from ansible.module_utils.testing import patch_module_args

from conversation import BASE_URL, Conversation

API_KEY = 'unit-test-api-key-V2hhdCBhIHNlY3JldA=='


@pytest.fixture
def kibana(requests_mock):
    """The Kibana side of the conversation; fails the test on any request not expected, or expected and not sent."""
    conversation = Conversation(requests_mock)
    yield conversation
    conversation.assert_complete()


@pytest.fixture
def run_module(capsys, monkeypatch):
    """Run a module's main() with args (and check/diff mode); return its JSON result."""
    # Importing controller code (an action or inventory plugin test) marks the process as the
    # controller, and a module then sends its warnings to the display instead of its result.
    monkeypatch.setattr(_internal, 'is_controller', False)

    def run(module, args, check_mode=False, diff=False):
        module_args = dict(url=BASE_URL, api_key=API_KEY, _ansible_check_mode=check_mode, _ansible_diff=diff)
        module_args.update(args)
        # A key given as None counts for mutually_exclusive: leave it out, as a playbook's omit does.
        module_args = dict((key, value) for key, value in module_args.items() if value is not None)
        with patch_module_args(module_args):
            with pytest.raises(SystemExit):
                module.main()
        output = capsys.readouterr().out
        assert API_KEY not in output
        result = json.loads(output)
        # ansible-core 2.19 returns warnings as structured events; older versions as strings.
        result['warnings'] = [warning['event']['msg'] if isinstance(warning, dict) else warning
                              for warning in result.get('warnings', [])]
        return result

    return run
