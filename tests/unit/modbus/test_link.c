/* Modbus links: devices on one serial line share one link and take turns
 * in order; a waiter that leaves (device stopped) is skipped; TCP devices
 * never share. */
#include "modbus_link.h"
#include "test.h"

#include <string.h>

static struct modbus_cfg serial_cfg(char *device)
{
	return (struct modbus_cfg){.serial = {.device = device, .baud = 9600}};
}

TEST(link_serial_devices_share_and_take_turns)
{
	char dev[] = "/dev/ttyTEST0", other[] = "/dev/ttyTEST1";
	struct modbus_cfg a = serial_cfg(dev), b = serial_cfg(dev), c = serial_cfg(dev);
	struct modbus_cfg d = serial_cfg(other);
	struct modbus_link *la = modbus_link_get(&a), *lb = modbus_link_get(&b);
	struct modbus_link *lc = modbus_link_get(&c), *ld = modbus_link_get(&d);
	ASSERT_TRUE(la && la == lb && lb == lc && ld && ld != la);
	ASSERT_EQ_UINT(la->refs, 3);
	ASSERT_EQ_STR(la->key, "rtu:/dev/ttyTEST0");

	struct modbus_link_waiter wa = {0}, wb = {0}, wc = {0};
	ASSERT_TRUE(modbus_link_acquire(la, &wa));  /* free: a runs */
	ASSERT_TRUE(!modbus_link_acquire(la, &wb)); /* b waits */
	ASSERT_TRUE(!modbus_link_acquire(la, &wc)); /* c waits */
	ASSERT_TRUE(wb.queued && wc.queued);
	ASSERT_TRUE(modbus_link_release(la) == &wb); /* b's turn, in order */
	ASSERT_TRUE(la->busy && !wb.queued);
	modbus_link_cancel(la, &wc); /* c's device stops while waiting */
	ASSERT_TRUE(!wc.queued);
	ASSERT_TRUE(modbus_link_release(la) == NULL);
	ASSERT_TRUE(!la->busy);
	/* Another line is independent. */
	ASSERT_TRUE(modbus_link_acquire(ld, &wc));
	ASSERT_TRUE(modbus_link_acquire(la, &wa));
	ASSERT_TRUE(modbus_link_release(la) == NULL);
	ASSERT_TRUE(modbus_link_release(ld) == NULL);
	modbus_link_put(la);
	modbus_link_put(lb);
	modbus_link_put(lc);
	modbus_link_put(ld);
	/* All references gone: the next device gets a fresh link. */
	struct modbus_link *again = modbus_link_get(&a);
	ASSERT_EQ_UINT(again->refs, 1);
	modbus_link_put(again);
}

TEST(link_tcp_devices_never_share)
{
	char host[] = "10.0.0.5";
	struct modbus_cfg a = {.host = host, .port = "502", .unit = 1};
	struct modbus_cfg b = {.host = host, .port = "502", .unit = 2};
	struct modbus_link *la = modbus_link_get(&a), *lb = modbus_link_get(&b);
	ASSERT_TRUE(la && lb && la != lb);
	ASSERT_EQ_STR(la->key, "tcp:10.0.0.5:502");
	modbus_link_put(la);
	modbus_link_put(lb);
}

TEST_MAIN(link_serial_devices_share_and_take_turns, link_tcp_devices_never_share)
