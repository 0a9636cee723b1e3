app_name = "program"

urlpatterns = []
