/* Placeholder until this module is written; replaced by its owner. */
typedef int snmp_value_placeholder;
