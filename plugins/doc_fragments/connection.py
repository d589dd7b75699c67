# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every module and plugin of the collection.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Kibana, for example C(https://kibana.example.com:5601).
      - Without a space prefix; the modules address a space with their C(space_id) option.
      - If not set, the value of the E(KIBANA_URL) environment variable is used.
      - Required, from the option or the environment.
    type: str
  api_key:
    description:
      - "Encoded Kibana/Elasticsearch API key, sent as C(Authorization: ApiKey <api_key>)."
      - If not set, the value of the E(KIBANA_API_KEY) environment variable is used.
      - Mutually exclusive with O(username) and O(bearer_token).
    type: str
  username:
    description:
      - User name for HTTP basic authentication.
      - If not set, the value of the E(KIBANA_USERNAME) environment variable is used.
      - Requires O(password) (or E(KIBANA_PASSWORD)).
    type: str
  password:
    description:
      - Password for HTTP basic authentication.
      - If not set, the value of the E(KIBANA_PASSWORD) environment variable is used.
    type: str
  bearer_token:
    description:
      - "Bearer token (for example an OAuth or Elasticsearch token), sent as C(Authorization: Bearer <bearer_token>)."
      - If not set, the value of the E(KIBANA_BEARER_TOKEN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of Kibana.
      - Only set to V(false) on a test system you control; the task then warns.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or bundle) that signed the certificate of Kibana.
    type: path
  client_cert:
    description:
      - PEM file of a client certificate for mutual TLS.
    type: path
  client_key:
    description:
      - PEM file of the private key of O(client_cert), when not included in it.
    type: path
  timeout:
    description:
      - Seconds to wait for Kibana to connect and to answer, per request.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is retried after a transient fault (connection error, timeout,
        HTTP 429, 502, 503 or 504), with exponential backoff, honouring C(Retry-After).
      - Errors such as 400, 401, 403, 404 and 409 are never retried this way.
      - A POST (create) is not retried after it was sent; the task reads the configuration again instead.
    type: int
    default: 3
notes:
  - Credentials given as options win over the environment as a whole. The variables E(KIBANA_API_KEY),
    E(KIBANA_USERNAME), E(KIBANA_PASSWORD) and E(KIBANA_BEARER_TOKEN) are used only when no option sets
    O(api_key), O(username) or O(bearer_token); a O(username) option may take its password from
    E(KIBANA_PASSWORD). Two kinds of credentials from the environment at once fail the task.
  - Every request that is not a GET carries the C(kbn-xsrf) header Kibana requires.
  - Credentials are never shown in results, diffs, warnings or errors.
requirements:
  - requests
"""

    # Plugins (not modules) read KIBANA_URL through their option definition; the credential
    # variables are read by the collection's code, as for the modules (options win as a whole).
    PLUGINS = r"""
options:
  url:
    env:
      - name: KIBANA_URL
"""
