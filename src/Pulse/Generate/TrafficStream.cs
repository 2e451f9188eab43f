namespace Pulse.Generate;

/// <summary>
/// The deterministic event stream: many concurrent sessions interleaved, each event numbered and
/// stamped with an event time that advances with the nominal rate, minus a little disorder, and for a
/// share of events minutes in the past (late data). Everything follows from the seed and the
/// settings; nothing reads the clock.
/// </summary>
internal sealed class TrafficStream
{
    private const int MaxConcurrentSessions = 1000;
    private const int MinLateMs = 60_000;
    private const int MaxLateMs = 600_000;

    private readonly DeterministicRandom _random;
    private readonly SessionMachine _machine;
    private readonly SessionState[] _slots;
    private readonly bool[] _userInSession;
    private readonly int _userCount;
    private readonly long _startMs;
    private readonly double _msPerEvent;
    private readonly double _lateShare;
    private readonly int _disorderMs;
    private long _nextSequence;
    private long _sessionsStarted;

    public TrafficStream(UserPopulation users, ProductCatalog catalog, long seed, long startMs, double eventsPerSecond, double lateShare, int disorderMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventsPerSecond);
        _random = new DeterministicRandom((ulong)seed);
        _machine = new SessionMachine(catalog, _random);
        _userCount = users.Count;
        _userInSession = new bool[users.Count];
        // At most a quarter of the users are in a session at once, so a new session finds a free user quickly.
        _slots = new SessionState[Math.Clamp(users.Count / 4, 1, MaxConcurrentSessions)];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new SessionState();
        }

        _startMs = startMs;
        _msPerEvent = 1000.0 / eventsPerSecond;
        _lateShare = lateShare;
        _disorderMs = disorderMs;
    }

    /// <summary>Events produced so far; also the sequence number of the next one.</summary>
    public long Produced => _nextSequence;

    public void Next(ref GeneratedEvent e)
    {
        SessionState session = _slots[_random.NextInt(_slots.Length)];
        while (true)
        {
            if (session.Next == SessionStep.Done)
            {
                StartSession(session);
            }

            if (_machine.TryStep(session, ref e))
            {
                break;
            }
        }

        e.User = session.User;
        e.Session = session.Session;
        e.Sequence = _nextSequence;
        long time = _startMs + (long)(_nextSequence * _msPerEvent);
        if (_disorderMs > 0)
        {
            time -= _random.NextInt(_disorderMs + 1);
        }

        if (_lateShare > 0 && _random.Chance(_lateShare))
        {
            time -= MinLateMs + _random.NextInt(MaxLateMs - MinLateMs + 1);
        }

        e.TimestampMs = time;
        e.TimestampAsText = (_random.NextUInt64() & 1) == 0;
        _nextSequence++;
    }

    private void StartSession(SessionState session)
    {
        // The previous user stays marked until the slot is reused, so the flag has exactly one owner.
        if (session.User >= 0)
        {
            _userInSession[session.User] = false;
        }

        int user = _random.NextInt(_userCount);
        while (_userInSession[user])
        {
            user = _random.NextInt(_userCount);
        }

        _userInSession[user] = true;
        session.Begin(user, ++_sessionsStarted);
    }
}
