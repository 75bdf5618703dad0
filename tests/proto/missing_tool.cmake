# cmake -DMESSAGE=<text> -P missing_tool.cmake: a test body that fails with MESSAGE, used when a
# tool a test needs was not found at configure time.
message(FATAL_ERROR "${MESSAGE}")
