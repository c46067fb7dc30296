/* Placeholder until this module is written; replaced by its owner. */
typedef int poll_snmp_placeholder;
