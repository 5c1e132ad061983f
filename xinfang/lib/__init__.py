"""Framework-free helpers: the deadline calendar, 身份证 checks, Chinese text tools."""
