"""Shared test harness: a loopback static server, real Chromium through Playwright, and local
stubs that answer for every third-party host so no test leaves the machine."""
