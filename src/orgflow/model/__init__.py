"""Process definitions: immutable, validated once at deploy."""
