"""Sensitive form fields (敏感数据, seed 003): keys, AES-GCM envelopes, sealing documents, masking."""
