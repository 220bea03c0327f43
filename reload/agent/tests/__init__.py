"""Unit tests of pyreload_agent. Run from the repository root:
/usr/bin/python3 -m unittest discover -s reload/agent/tests -t reload/agent"""
