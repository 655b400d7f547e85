"""Numeraire Tournament: the Flask tournament server and oracle."""
