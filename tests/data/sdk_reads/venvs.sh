#!/bin/sh
# The two SDK environments tests/sagemaker/test_sdk_reads.py loads cards with (var/sdk/v2 and
# var/sdk/v3, outside the project's own environment: SDK v2 and v3 are two major versions of the
# same distribution, and each brings about 150 to 300 MB the app does not need).
set -eu
cd "$(dirname "$0")/../../.."
uv venv --quiet var/sdk/v2
uv pip install --quiet --python var/sdk/v2 "sagemaker==2.257.7"
uv venv --quiet var/sdk/v3
uv pip install --quiet --python var/sdk/v3 "sagemaker-core==2.27.0"
echo "SDK v2 in var/sdk/v2, SDK v3 (sagemaker-core) in var/sdk/v3"
