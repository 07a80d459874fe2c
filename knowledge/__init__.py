"""What the Assistant knows: articles, policy facts, and the code that indexes and retrieves them.

This package uses nothing else of Anxin's, so it can be built and tested on its own.
"""
