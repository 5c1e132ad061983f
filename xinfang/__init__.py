"""xinfang — 电子办访系统 (electronic petition handling) for 信访局 and the units they route to."""
