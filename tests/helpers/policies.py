"""A small well-formed policy text for tests."""

from __future__ import annotations

GOOD = """---
id: house-rule   # a comment after the value
title: A house rule
version: 2.1.0
source: https://example.org/rule
---
# Instructions
Decide.
# Definitions
Words.
# Criteria
## HR-1 First rule
Violates when one.
## HR-2: Second rule
Violates when two.
# Examples
## HR-1 violation
> one
"""
