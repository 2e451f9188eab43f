namespace Pulse.Analytics.Patterns;

public enum PatternKind : byte
{
    /// <summary><c>first</c> not followed by <c>absent</c> within the time span.</summary>
    Absence = 1,

    /// <summary>At least N matching events within the time span.</summary>
    Count = 2,

    /// <summary>Steps in order (other events may come between), all within the time span of the first.</summary>
    Sequence = 3,
}

/// <summary>Which of a user's events may form one match.</summary>
public enum PatternScope : byte
{
    /// <summary>Any of the user's events, across sessions.</summary>
    User = 0,

    /// <summary>Only events of one session; a session's end closes what it started.</summary>
    Session = 1,
}
