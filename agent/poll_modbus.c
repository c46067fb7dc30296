/* Placeholder until this module is written; replaced by its owner. */
typedef int poll_modbus_placeholder;
