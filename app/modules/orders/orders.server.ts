import { eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { orders } from "#db/schema";

export async function findOrder(db: DbOrTx, orderId: string) {
  if (!z.uuid().safeParse(orderId).success) return null;
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  return order ?? null;
}
