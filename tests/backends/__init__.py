"""The contract every solver backend keeps (tests/backends/test_contract.py)."""
