from agent.llm.breaker import CircuitBreaker


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_opens_after_the_limit_and_lets_one_trial_through_after_the_cool_down():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, reset_after=10, clock=clock)
    for _ in range(2):
        breaker.failed()
    assert breaker.state == "closed" and breaker.allow()
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()
    clock.now = 10
    assert breaker.state == "half_open"
    assert breaker.allow() and not breaker.allow()  # one trial at a time


def test_a_failed_trial_opens_it_again_and_a_success_closes_it():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_after=5, clock=clock)
    breaker.failed()
    clock.now = 5
    assert breaker.allow()
    breaker.failed()
    assert breaker.state == "open"
    clock.now = 10
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.allow() and breaker.allow()


def test_a_success_resets_the_count_of_failures_in_a_row():
    breaker = CircuitBreaker(failures=2)
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.state == "closed"
