/* Placeholder until this module is written; replaced by its owner. */
typedef int modbus_plan_placeholder;
