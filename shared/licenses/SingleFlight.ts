/**
 * Joins concurrent calls for one key to a single run: while a run for a key is in flight,
 * callers get its promise instead of starting another. The entry goes when the run settles,
 * so a failure is not remembered.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running;
    const flight = work().finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }
}
