"""Child protection case management (CPIMS+ practice; Inter-Agency Guidelines for Case
Management and Child Protection, 2014) and the MRM grave-violation codes.

Pure domain rules, no Flask and no database: the option lists, the response times by risk
level, review intervals and the age of majority. The web layer and the models take their codes
from here, as they take the GBV ones from ``gbvims``.
"""
